"""Limits that keep one hostile file from exhausting the machine."""

MAX_TEXT_BYTES = 50 * 1024 * 1024  # a plain-text file read whole
MAX_UNGUARDED_BYTES = 1024 * 1024  # a plain-text file read in the parent process; larger ones in the child
MAX_ZIP_MEMBERS = 2000  # members of one HWPX/DOCX/XLSX package
MAX_ZIP_DIRECTORY = 4 * 1024 * 1024  # its central directory, read whole by zipfile (2 KB a member)
MAX_ZIP_TOTAL = 300 * 1024 * 1024  # sum of uncompressed sizes read from one package
MAX_ZIP_RATIO = 200  # uncompressed / compressed size of one member
MAX_XML_MEMBER = 64 * 1024 * 1024  # one XML part, uncompressed
MAX_PDF_PAGES = 3000
EXTRACT_SECONDS = 60.0  # wall time for one file's extraction
EXTRACT_MEMORY = 1024 * 1024 * 1024  # address space of the extracting child process
