"""Two-step sign-in (docs/adr/0025): after the password, a code from an app or a backup code.

It lives in the projects app because who *must* use it is a project role
(``projects.sessions.holds_keys``: facilitators, organisation admins, site
administrators), and accounts may not know about projects. Everyone else may
turn it on. django-otp keeps the devices and throttles wrong codes;
``services`` makes every change, ``middleware`` holds people at the door,
``views`` draws the pages.
"""
