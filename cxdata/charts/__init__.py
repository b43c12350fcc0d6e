"""Chart builders, one module per page: pure functions DataFrame -> alt.Chart."""
