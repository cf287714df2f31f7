/**
 * Hostile input for the REST API's access policies and applications (with the token check and the catch-all):
 * ./api-bodies says what every answer must be. A fresh PGlite database of its own (test/helpers/setup-db).
 */
import "../helpers/setup-db";
import { describeApiBodies } from "./api-bodies";

describeApiBodies("access");
