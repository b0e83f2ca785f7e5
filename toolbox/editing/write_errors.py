"""A save that could not be written (full disk, read-only or failing file system): what the editor is told.

The editor (toolbox.editing) raises WriteFailed after undoing what it had written for this save
(the history copy), so the case file, the history and the form input stay as they were.
"""

from __future__ import annotations

import errno

FULL = {errno.ENOSPC, errno.EDQUOT}
READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
KEPT = ("Er is niets veranderd: de casus staat nog zoals hij was en je invoer staat hieronder. "
        "Probeer het later opnieuw, of meld het aan de beheerder van de server.")


class WriteFailed(Exception):
    """Writing the case (or its history copy) failed; message in Dutch, HTTP status for the response."""

    def __init__(self, error: OSError):
        self.errno = error.errno
        if error.errno in FULL:
            self.status = 507  # Insufficient Storage
            reason = "de schijf van de server is vol"
        elif error.errno in READ_ONLY:
            self.status = 503
            reason = "de server kan de inhoud nu niet schrijven (de map is alleen-lezen of afgeschermd)"
        else:
            self.status = 503
            reason = f"de server kon het bestand niet schrijven ({error.strerror or 'schrijffout'})"
        super().__init__(f"De casus is niet opgeslagen: {reason}. {KEPT}")
