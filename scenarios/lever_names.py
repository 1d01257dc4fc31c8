"""The names of the report's public-diplomacy levers, in the order they are listed.

Alone in a module without imports, so that the command line's help can list them without
importing pydantic (``ip4sim run --help`` answers at once); what each lever is and does
is ``scenarios.information.LEVERS``, which refuses to load if its names differ from these.
"""

LEVER_NAMES = ("contact_point_embassies", "high_level_visits", "parliamentary_exchanges",
               "partnership_goals", "messaging", "liaison_office_tokyo")
