"""Solution -> worklists (arbeidsliste) with clock times and reasons for unplaced work."""

from hjemmetjeneste.worklists.assemble import assemble
from hjemmetjeneste.worklists.continuity import caregivers_per_patient

__all__ = ["assemble", "caregivers_per_patient"]
