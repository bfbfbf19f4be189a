import asyncio

import time_machine

from visiorelais.channel_layers import ThrottledInMemoryChannelLayer


async def test_a_broadcast_reaches_every_member_of_the_group():
    layer = ThrottledInMemoryChannelLayer()
    channels = [await layer.new_channel() for _ in range(50)]
    for channel in channels:
        await layer.group_add("partner.1.kiosks", channel)
    await layer.group_send("partner.1.kiosks", {"type": "visiorelais.event", "n": 1})
    received = await asyncio.gather(*(layer.receive(channel) for channel in channels))
    assert [message["n"] for message in received] == [1] * 50


async def test_expired_messages_are_still_swept_at_most_once_a_second():
    layer = ThrottledInMemoryChannelLayer(expiry=60)
    stale = await layer.new_channel()
    await layer.group_add("g", stale)
    with time_machine.travel(0, tick=False) as clock:
        await layer.send(stale, {"type": "x"})
        clock.shift(61)
        # A message past its expiry drops its channel from every group at the next sweep.
        await layer.group_send("g", {"type": "y"})
    assert stale not in layer.groups.get("g", {})
