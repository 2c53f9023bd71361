// Types for Vite's asset imports (`?url`) used by the web app.
/// <reference types="vite/client" />
