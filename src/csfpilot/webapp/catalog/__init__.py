"""Frameworks, their elements and crosswalks, stored for browsing and for profiles."""
