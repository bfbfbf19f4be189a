def test_the_test_world_builds(world):
    assert world.caf.stations.count() == 2
    assert world.alice.partner == world.caf
    assert world.mona.is_staff and not world.alice.is_staff
