"""Site-wide pieces: the layout, the home page, the language switch, timing headers."""
