"""People accompanied: create, find, read (as far as the viewer may), export, erase."""

from fastapi import APIRouter

router = APIRouter(prefix="/people", tags=["personnes"])
