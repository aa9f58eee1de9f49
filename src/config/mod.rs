//! Config: figment layering into a validated Config.
