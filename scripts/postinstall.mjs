/**
 * After `npm install`: one honest line about which Node runs what, in place
 * of npm's engine warnings (hidden by .npmrc), and the next commands.
 * Runs on the pinned Node 24 from node_modules/.bin, like every npm script.
 */
// Plain JavaScript, so the check below also runs on a Node too old to strip types.
const npmNode = /\bnode\/(v[\d.]+)/.exec(process.env.npm_config_user_agent ?? '')?.[1] ?? 'unknown';
const scriptsMajor = Number(process.versions.node.split('.')[0]);

if (scriptsMajor < 22) {
  console.error(`Socketbook: npm scripts run on Node ${process.version}, but they need Node 22.12 or later.`);
  console.error('The pinned Node 24 (the `node` dev dependency) did not install: run `npm install` again, or install Node 24.');
  process.exitCode = 1;
} else {
  console.log(`Socketbook: npm scripts run on Node ${process.version} (the pinned \`node\` dev dependency); npm itself ran on Node ${npmNode}.`);
  if (npmNode !== process.version) {
    console.log('npm\'s engine warnings about that older Node are hidden (.npmrc: loglevel=error); `npm install --loglevel=warn` shows them.');
  }
  console.log('Next: `npm start` serves the book on http://localhost:8080, and `npm test` runs every test.');
}
