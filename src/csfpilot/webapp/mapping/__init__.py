"""An organization's own crosswalks: proposals from the mapping assistant, reviewed by people."""
