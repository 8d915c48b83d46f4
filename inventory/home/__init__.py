"""The start page: what each role's day begins with, drawn from the other features (and from dispatch, which adds
its own panels through `core.navigation.add_home_panel`)."""
