"""Solution -> worklists (arbeidsliste) with clock times and reasons for unplaced work."""

from hjemmetjeneste.planning.assemble import assemble
from hjemmetjeneste.planning.continuity import caregivers_per_patient

__all__ = ["assemble", "caregivers_per_patient"]
