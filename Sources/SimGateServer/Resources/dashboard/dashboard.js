// SimGate's dashboard works without this script; with it, pages that show live data follow
// the server's event stream, and a chosen CSV file is read into the import form.
"use strict";
