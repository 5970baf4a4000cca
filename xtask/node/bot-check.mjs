// Node side of `cargo xtask bot-check`: asks xmppjs-chat-bot 0.7.0 (the moderation
// bot the plugin runs) what it makes of each room file.
//
// Usage: node bot-check.mjs DIR   Reads every *.json of DIR; prints one JSON object
// {file: verdict}, where
// verdict is {"loaded": bool, "dropped": [messages], "throws": message|null}:
// - loaded: readRoomConf returned a configuration (false: the bot skips the file);
// - dropped: the errors readRoomConf logged, one per handler it dropped;
// - throws: what constructing the enabled handlers threw (an invalid regular
//   expression makes the bot stop loading rooms at start-up), or an unknown handler
//   type (the bot logs "Can't find class for handler type" and skips it).
import { createRequire } from 'node:module'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const { readRoomConf } = require('xmppjs-chat-bot/lib/config/read')
const { HandlersDirectory } = require('xmppjs-chat-bot/lib/handlers_directory')
require('xmppjs-chat-bot/lib/handlers')

const silent = { debug () {}, info () {}, warn () {}, error () {}, setLevel () {} }
// The smallest room the handlers' constructors need: they only register listeners.
const room = { logger: silent, on () {}, off () {}, attachHandler () {}, detachHandlers () {} }

const out = {}
const dir = process.argv[2]
const files = readdirSync(dir).filter(name => name.endsWith('.json')).sort().map(name => join(dir, name))
for (const file of files) {
  const dropped = []
  const logger = { ...silent, error (m) { dropped.push(String(m)) } }
  const conf = await readRoomConf(file, logger)
  const verdict = { loaded: conf !== null, dropped: conf === null ? [] : dropped, throws: null }
  if (conf && conf.enabled) {
    for (const handler of conf.handlers) {
      if (!handler.enabled) continue
      const HandlerClass = HandlersDirectory.singleton().getClass(handler.type)
      if (!HandlerClass) {
        verdict.throws = `skips a handler: Can't find class for handler type ${handler.type}`
        break
      }
      try {
        // eslint-disable-next-line no-new
        new HandlerClass(handler.id, room, handler.options)
      } catch (err) {
        verdict.throws = String(err && err.message ? err.message : err)
        break
      }
    }
  }
  out[file] = verdict
}
process.stdout.write(JSON.stringify(out) + '\n')
