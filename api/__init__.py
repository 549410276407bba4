"""medkg's HTTP API: :func:`create_app` builds the FastAPI app (``uvicorn api.app:create_app --factory``)."""

from api.app import API_VERSION, create_app
from api.limits import ApiLimits
from api.security import ROLES, KeyStore, Principal
from api.services import Services
from api.state import StoreFactory, StoreHolder, open_app_store

__all__ = [
    "API_VERSION",
    "ROLES",
    "ApiLimits",
    "KeyStore",
    "Principal",
    "Services",
    "StoreFactory",
    "StoreHolder",
    "create_app",
    "open_app_store",
]
