// Loaded before every test file (bunfig.toml): run-wide clean-up.
import { afterAll } from 'bun:test'
import { removeWorkerBundle } from './workerd'

afterAll(removeWorkerBundle)
