"""Word lists the redaction engine leans on (``cohub.pipeline.redact``).

Written for cohub, from general knowledge of names common in the UK today,
across its communities. The small spaCy model misses many first names said
alone ("then Kez rang me"); a name on these lists, written with a capital
and not at the start of a sentence on its own, is taken for a name. Names
that are also everyday words ("Will", "May", "Hope") are in ``WORD_NAMES``:
they count only beside a surname or after words like "called".
"""

from __future__ import annotations


def _split(text: str) -> list[str]:
    """The words of a block of text, one or more a line, in order."""
    return text.split()


def word_set(text: str) -> frozenset[str]:
    """A set of the words in a block of text (lists read better as text than as literals)."""
    return frozenset(_split(text))


FIRST_NAMES = word_set(
    """
    Aaliyah Aaron Abdul Abdullah Abigail Adam Adele Adrian Ahmed Aidan Aisha Alan Alana
    Albert Alex Alexander Alexandra Alfie Ali Alice Alicia Alison Amanda Amar Amara Amber
    Amelia Amina Amir Amit Amy Andrea Andrew Andy Angela Anil Anita Ann Anna Anne Annie
    Anthony Anwar Archie Arjun Arthur Asha Ashley Aziz Barbara Barry Ben Benjamin Beth
    Bethany Beverley Bilal Billy Bob Bradley Brandon Brenda Brian Bridget Bukola Caitlin
    Callum Cameron Carl Carla Carol Caroline Catherine Ceri Charlie Charlotte Chantelle
    Chelsea Chidi Chloe Chris Christine Christopher Chukwuma Ciara Claire Colin Connor Craig
    Daisy Dale Damian Dan Daniel Danielle Darren Dave David Dawn Dean Deborah Debbie Declan
    Deepa Denise Dennis Derek Devon Dexter Diane Dominic Donna Dorothy Dylan Ebony Eddie
    Edward Eileen Elaine Eleanor Elizabeth Ella Ellie Emily Emma Eric Erin Ethan Eve Evie
    Fatima Fiona Florence Fran Frances Francesca Frank Freddie Freya Gail Gareth Gary Gavin
    Gemma Geoff George Georgia Gerald Gillian Glenn Gordon Graham Greg Gurpreet Hamza Hannah
    Harry Harvey Hassan Hayley Heather Helen Henry Holly Hussein Ian Ibrahim Imran Isaac
    Isabel Isabella Isla Ivan Jack Jackie Jacob Jade Jake James Jamie Jan Jane Janet Jasmine
    Jason Jaspreet Jay Jayden Jean Jeff Jennifer Jenny Jeremy Jess Jessica Jill Jim Jimmy Jo
    Joan Joanne Joe Joel John Jon Jordan Joseph Josh Joshua Joyce Julia Julie Justin Kaitlyn
    Kamala Kane Karen Karl Kate Katie Kayleigh Keith Kelly Kemi Kerry Kevin Khadija Kieran
    Kim Kirsty Kwame Kyle Lara Laura Lauren Layla Leah Lee Leo Leon Lesley Lewis Liam Lily
    Linda Lindsey Lisa Liz Lloyd Logan Lola Lorraine Louise Lucy Luke Lydia Lynn Maddie
    Malik Mandy Marcus Margaret Maria Marie Marion Martin Mary Matt Matthew Maureen Megan
    Melanie Mia Michael Michelle Mick Mike Mohamed Mohammed Molly Muhammad Nadia Naomi
    Natalie Nathan Neil Nia Nicola Nicole Nigel Nikhil Niamh Noah Noor Oliver Olivia Omar
    Oscar Owen Paige Pam Patricia Patrick Paul Paula Pauline Peter Phil Philip Phoebe Poppy
    Priya Rachel Rahul Raj Rajesh Rebecca Reece Rhys Richard Rick Rita Rob Robert Robin
    Rosie Ross Roxanne Ruby Rukhsana Ryan Sabrina Sadia Sally Salma Sam Samantha Samir
    Samuel Sandra Sara Sarah Scarlett Sean Shabana Shane Shannon Sharon Shaun Sheila Shirley
    Simon Sinead Siobhan Sophie Stacey Stephen Steve Steven Stuart Sue Sunil Susan Tanya
    Tariq Terry Theo Thomas Tim Toby Tom Tommy Tony Tracey Tracy Tyler Usman Valerie Vanessa
    Victoria Vikram Vincent Wayne Wendy William Yasmin Yusuf Zainab Zara Zoe
    """
)

# Names that are also everyday words: a name only with a surname or after "called".
WORD_NAMES = word_set(
    """
    Will May Hope Faith Grace Joy Mark Bill Rose Summer Autumn Dawn Amber Ruby Holly Jack
    Frank Sue Rob Pat Bob Jo Lee Sky Rain Ivy Daisy Poppy Lily Jade Crystal Dean Guy Rich
    Sunny Kit Pearl Lottie Ray Joe Jay Robin Chase Sterling Brook Iris Basil Eve Jan Kim
    Lynn Gail Glenn Hunter Heather Harvey Gene Don Art Neil Ian Eric
    """
)

# Words that, said just before a capitalised word, mean it is a person's name.
NAME_CUES = (
    "my name is",
    "my name's",
    "real name is",
    "real name's",
    "real name, it's",
    "call me",
    "calls me",
    "name's",
    "i'm called",
    "called",
    "named",
    "known as",
    "knows me as",
    "know me as",
    "my auntie",
    "my aunt",
    "my uncle",
    "my niece",
    "my nephew",
    "my cousin",
    "my stepdad",
    "my stepmum",
    "my grandad",
    "my grandma",
    "my son",
    "my daughter",
    "my partner",
    "my husband",
    "my wife",
    "my brother",
    "my sister",
    "my mum",
    "my dad",
    "my friend",
    "my mate",
    "my worker",
    "my key worker",
    "my support worker",
    "my social worker",
    "my nurse",
    "my doctor",
    "my carer",
    "my boyfriend",
    "my girlfriend",
    "my nan",
    "my grandson",
    "my granddaughter",
    "my neighbour",
    "his name was",
    "her name was",
    "their name was",
    "his name is",
    "her name is",
    "their name is",
)

TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Doctor", "Nurse", "Sister", "Father", "Auntie")

# Places in the UK the small model sometimes takes for people (or misses).
PLACES = word_set(
    """
    Aberdeen Barnsley Bath Belfast Birmingham Blackburn Blackpool Bolton Bournemouth
    Bradford Brighton Bristol Burnley Cambridge Cardiff Carlisle Chelmsford Chester Coventry
    Crewe Croydon Derby Doncaster Dundee Durham Edinburgh Exeter Gateshead Glasgow
    Gloucester Grimsby Halifax Harrogate Hartlepool Huddersfield Hull Inverness Ipswich
    Kendal Lancaster Leeds Leicester Lincoln Liverpool London Luton Manchester Middlesbrough
    Newcastle Newport Northampton Norwich Nottingham Oldham Oxford Peterborough Plymouth
    Portsmouth Preston Reading Rochdale Rotherham Salford Sheffield Slough Southampton
    Southend Stockport Stoke Sunderland Swansea Swindon Telford Wakefield Walsall Warrington
    Watford Wigan Wolverhampton Worcester Wrexham York Hackney Lambeth Lewisham Brixton
    Peckham Tottenham Harehills Chapeltown Moss Side Toxteth Handsworth Sparkbrook Byker
    Headingley Armley Seacroft Beeston Hulme Ancoats Walton Everton Anfield Easton
    Bedminster
    """
)

# Words about services and everyday life that are never somebody's personal details,
# though the model sometimes marks them as an organisation or a name.
GENERIC = word_set(
    """
    NHS GP GPs A&E CAMHS DWP PIP ESA JSA UC Jobcentre Universal Credit Covid COVID Zoom
    Teams WhatsApp Facebook Instagram Google YouTube TikTok Twitter Mum Dad Mam Nan Nana
    Gran Grandad Christmas Easter Ramadan Eid Diwali God Monday Tuesday Wednesday Thursday
    Friday Saturday Sunday English British UK England Scotland Wales Ireland Britain Council
    Police Samaritans Mind Crisis Team Housing Benefit Social Services Job Centre Citizens
    Advice Community CV
    """
)

# Words said just before a place: "we moved to Brighouse", "she lives in Elland".
PLACE_CUES = (
    "moved to",
    "moved us to",
    "moved back to",
    "moving to",
    "lives in",
    "live in",
    "lived in",
    "living in",
    "grew up in",
    "born in",
    "up in",
    "down in",
    "over in",
    "out in",
    "round in",
    "the bus to",
    "the train to",
)

# The last word of many organisations' names: "Prime Staffing Solutions", "Sanctuary Café".
ORGANISATION_ENDINGS = tuple(
    _split(
        """
    Solutions Services Centre Center Café Cafe Trust Group Project Association Society Ltd
    Limited Homecare Housing Clinic Surgery Practice School Academy College Hospital Church
    Mosque Temple Gurdwara Synagogue Hub Foundation Partnership Network Alliance Club Lodge
    Agency Charity Collective Enterprises Consulting Law Solicitors Infirmary Primary
    """
    )
)

# Verbs that follow a person's name: "Ruaridh said", "Parveen helped us".
SAYING_VERBS = tuple(
    _split(
        """
    said says told asked rang phoned texted emailed messaged helped wrote shouted laughed
    cried replied explained promised
    """
    )
)
