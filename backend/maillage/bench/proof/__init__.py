"""Proof under load and faults (``maillage bench load`` / ``faults`` / ``overhead``,
docs/proof.md).

- ``world``: the network every run uses (the demo Pantin directory, a counsellor per
  structure with a signed-in session, slots with a few places each);
- ``servers``: the app (uvicorn, N workers), the job runners (``maillage jobs run`` in a
  loop), the SMTP server that counts what it receives (aiosmtpd), and a throwaway
  PostgreSQL cluster that can be restarted;
- ``mix``: virtual users (threads) sending the realistic mix, timed per request type;
- ``integrity``: what must hold afterwards, in SQL (nothing lost, nothing twice);
- ``runs``: the three commands put together.

Everything listens on loopback only.
"""
