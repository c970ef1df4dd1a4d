"""Review and post-edit translations in the browser (``translate-pipe serve``).

:class:`ReviewService` is the Python API; :func:`create_app` (in ``app``, which needs
FastAPI) puts it on HTTP with the pages in ``static/``.
"""

from .service import InvalidEdit, NotFound, ReviewService

__all__ = ["InvalidEdit", "NotFound", "ReviewService"]
