"""Every write with a business rule of the real-time stock lives in this package."""
