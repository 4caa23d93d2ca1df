"""The analysis pages: review sheets, key quotes, the codebook and the coding log."""
