"""Transfer a stored profile's results to another framework through crosswalks."""
