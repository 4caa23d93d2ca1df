"""How big a transcript may be, in one place, with the reasoning behind each number.

The limits are sized for what cohub is for: recorded conversations of one to three
hours. Each is set well above that (so no real transcript meets it) and well below
what would let one upload tie up a server thread or fill its memory. Every refusal
says the limit and what to do instead, which is nearly always "split the file".
"""

from __future__ import annotations

# An upload. A three-hour conversation is about 150,000 characters of words: some
# 200 KB as plain text, 500 KB as WebVTT with a cue every three seconds.
MAX_TRANSCRIPT_BYTES = 20 * 1024 * 1024

# One story. Speech runs near 150 words (900 characters) a minute, so 2,000,000
# characters is some 35 hours of talk; 20,000 parts is a cue every three seconds for
# over 16 hours. Each part is a row and a block on the review page, so this also
# bounds what one story costs to store and show.
MAX_STORY_PARTS = 20_000
MAX_STORY_CHARACTERS = 2_000_000

# A cue time. Recordings are hours long, not days; 99 hours keeps the familiar
# two-digit hours and stays far inside the database's integer column for
# milliseconds (2,147,483,647 ms is about 596 hours), where 10^16 hours overflowed it.
MAX_CUE_HOURS = 99

# A Word document is a zip of XML parts. Only the XML is read (pictures are never
# unpacked), and a transcript's XML is a few megabytes even with Word's markup on
# every run of text, so 20 MB of it is generous; a "zip bomb" of a few kilobytes can
# otherwise unpack to millions of empty paragraphs.
MAX_DOCX_XML_BYTES = 20 * 1024 * 1024
# Files inside the zip: Word writes a dozen or two, plus one per picture.
MAX_DOCX_ENTRIES = 1_000
# Paragraphs (each table cell holds at least one): Word documents carry blank
# paragraphs between turns, so this is twice the parts a story may hold. Reading a
# paragraph through python-docx costs some 100 microseconds, so this also keeps the
# slowest document this lets through to a few seconds.
MAX_DOCX_PARAGRAPHS = 2 * MAX_STORY_PARTS
# XML elements of any kind. python-docx holds every element in memory, and 20 MB of
# tiny empty elements is millions of them. Word writes some ten to thirty elements
# a paragraph (runs, properties, proofing marks), so a three-hour transcript has
# well under 100,000.
MAX_DOCX_ELEMENTS = 500_000
