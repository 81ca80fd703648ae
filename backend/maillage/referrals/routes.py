"""Referrals: send, read, answer, follow up, exchange messages; inboxes."""

from fastapi import APIRouter

router = APIRouter(prefix="/referrals", tags=["orientations"])
