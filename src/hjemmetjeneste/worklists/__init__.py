"""Solution -> worklists (arbeidsliste) with clock times and reasons for unplaced work."""

from hjemmetjeneste.worklists.assemble import assemble

__all__ = ["assemble"]
