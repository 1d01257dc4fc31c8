"""The phases of a turn, one module each, each with the state it owns.

``IP4Model.step()`` (sim/model.py) tells a turn as these phases in order:

1. ``timeline``: injects fire, the world changes, decisions open;
2. ``adversaries``: Russia presses, China coerces;
3. ``information``: Russia and China plan their campaigns (and, at the end of the
   turn, the publics update);
4. ``consultation``: the four partners state intentions and the coordination rule forms
   the group's stance; ``choices``: every actor chooses; ``council``: the North
   Atlantic Council decides by consensus;
5. ``metrics``: the turn's tidy rows and the Mesa DataCollector.
"""
