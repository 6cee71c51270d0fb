// whatsapp-web.js pulls in puppeteer; the bot drives Debian's Chromium instead,
// and this machine cannot download a browser, so never fetch one on install.
module.exports = { skipDownload: true };
