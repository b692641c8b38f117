package handlers

// NearbyOpenAPIPaths exposes the nearby part of the API document to the tests
// until the document at /api includes it.
var NearbyOpenAPIPaths = nearbyOpenAPIPaths
