"""Turn paper PDFs into draft records and new reports."""
