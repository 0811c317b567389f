variable "REGISTRY" {
  default = "registry.example.com/shop"
}
variable "TAG" {
  default = "2.1.0"
}

group "default" {
  targets = ["billing", "catalog", "search", "notifier"]
}

target "_common" {
  platforms = ["linux/amd64", "linux/arm64"]
}

target "billing" {
  inherits = ["_common"]
  context  = "services/billing"
  tags     = ["${REGISTRY}/billing:${TAG}"]
}

target "catalog" {
  inherits = ["_common"]
  context  = "services/catalog"
  tags     = ["${REGISTRY}/catalog:${TAG}", "${REGISTRY}/catalog:main"]
}

target "search" {
  context   = "services/search"
  platforms = ["linux/amd64"]
  tags      = ["${REGISTRY}/search:${TAG}"]
}

target "notifier" {
  inherits = ["_common"]
  context  = "services/notifier"
  tags     = ["${REGISTRY}/notifier:${TAG}"]
}
