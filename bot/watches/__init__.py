"""Watch lists (issue 26): members are told when a reviewed fact about what they follow lands."""
