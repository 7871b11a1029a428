/**
 * Ferry's configuration keys and the checks that refuse a wrong configuration at start, in one line naming the key.
 *
 * <ul>
 *   <li>{@link ConfigKeys}: every {@code ferry.*} key with its default, its doc and, where it has one, its kind (a
 *       whole number with its least value, or a flag). It is the registry the shipped {@code application.properties}
 *       is tested against; {@code service.FerrySettings.checkValues} uses it to refuse at start a value of the wrong
 *       kind, and a server profile's keys without its host.</li>
 *   <li>{@link ConfigCheck}: unknown keys and misplaced secrets (a password in the properties file) refused in one
 *       line; keys that were removed say what replaced them.</li>
 *   <li>{@link ProcessSettings}: the same for the service process's own {@code -Dferry.*} properties and
 *       {@code FERRY_*} variables. Camel reads these only for a key something asks for, so a typo there was never
 *       read and silently ignored; names Ferry's scripts, build and tests read are let through.</li>
 *   <li>{@link NearestKey}: the known key a typo most likely meant, compared segment by segment.</li>
 * </ul>
 */
package dev.ferry.config;
