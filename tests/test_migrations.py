from django.core.management import call_command


def test_the_models_and_their_migrations_agree(db):
    # Exits non-zero (SystemExit) when a model change has no migration, or a model builds its state
    # non-deterministically (e.g. a constraint over a set, whose order varies between processes).
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
