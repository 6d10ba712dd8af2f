// The generated types and server protocol of openapi.yaml (a link to DestinationsContract's copy).
