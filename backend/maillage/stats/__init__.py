"""Network indicators (Pilotage): figures computed from the referrals, bookings and
people of a network, stored as a snapshot, protected against disclosure when read."""
