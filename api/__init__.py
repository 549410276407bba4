"""medkg's HTTP API: :func:`create_app` builds the FastAPI app (``uvicorn api.app:create_app --factory``)."""

from api.app import create_app
from api.state import StoreFactory, StoreHolder, open_app_store

__all__ = ["StoreFactory", "StoreHolder", "create_app", "open_app_store"]
