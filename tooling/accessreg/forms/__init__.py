"""Issue forms: what a window person fills in on GitHub, and turning it into an edit."""
