enum PlaceholderSimGateServer {}
