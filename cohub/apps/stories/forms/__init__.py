"""The stories app's forms: ``storytellers`` (who they are, their consent) and
``stories`` (a story typed in or imported). They only collect input; the
services decide what is allowed and their refusals are shown with the form."""
