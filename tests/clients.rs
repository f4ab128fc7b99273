//! Real clients: skopeo pushes and pulls images, indexes and artifacts; every digest round-trips.
