"""Appointments (slots booked for a kiosk and a partner's station, checked in by code) and callbacks."""
