"""A provider written outside crmbridge, the way an application writes one: the example of
``docs/providers.md``, run end to end against a fake of its API."""
