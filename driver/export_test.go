package driver

// LookAhead is exported to the tests, which check the bound it sets.
const LookAhead = lookAhead
