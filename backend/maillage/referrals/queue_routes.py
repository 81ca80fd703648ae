"""The animators' queue of stalled referrals and people without solution."""

from fastapi import APIRouter

router = APIRouter(prefix="/manage/networks", tags=["orientations en souffrance"])
