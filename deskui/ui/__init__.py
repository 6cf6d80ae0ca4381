"""The Textual app: screens and widgets over the store (deskui.ui.app.DeskApp)."""

import os

# A lone ESC is the escape key once this many ms pass without the rest of a sequence (Textual's
# default is 100): see deskui/ui/driver.py. Set before Textual reads its constants; a user's own
# ESCDELAY wins.
os.environ.setdefault("ESCDELAY", "50")
