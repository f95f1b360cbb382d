"""What every app shares: API base, serializer fields, admin and import bases, SSE,
pt-BR dates and formats. Imports no project app, so any app may import it."""
