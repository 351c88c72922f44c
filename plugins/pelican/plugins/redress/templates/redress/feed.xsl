<?xml version="1.0" encoding="UTF-8"?>
{#- Shows a response feed as a readable page when it is opened in a browser.
    Feed readers ignore it. Handles RSS 2.0 and Atom. #}
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
  <xsl:output method="html" encoding="UTF-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/">
    <xsl:variable name="title" select="rss/channel/title | atom:feed/atom:title"/>
    <html lang="{{ page_lang }}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> · {{ _("Feed") }}</title>
        <style>
          body { font: 1rem/1.55 system-ui, sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem; color: #1b1b1b; background: #fff; overflow-wrap: anywhere; }
          .note { background: #f6f5f2; border: 1px solid #d6d3cc; border-radius: .5rem; padding: .75rem 1rem; }
          li { margin: .75rem 0; } time { color: #4a4a4a; font-size: .9rem; } a { color: #0b57a4; }
          @media (prefers-color-scheme: dark) { body { color: #ececec; background: #161616; } .note { background: #222120; border-color: #444; } time { color: #c4c4c4; } a { color: #8cc4ff; } }
        </style>
      </head>
      <body>
        <main>
          <h1><xsl:value-of select="$title"/></h1>
          <p class="note">{{ _("This is a feed: copy this page's address into your feed reader to follow the shop's responses to reviews.") }}
            <a href="{rss/channel/link | atom:feed/atom:link[@rel='alternate']/@href}">{{ _("Read all reviews") }}</a></p>
          <p><xsl:value-of select="rss/channel/description | atom:feed/atom:subtitle"/></p>
          <h2>{{ _("Latest responses") }}</h2>
          <ol>
            <xsl:for-each select="rss/channel/item">
              <li><a href="{link}"><xsl:value-of select="title"/></a><br/>
                <time><xsl:value-of select="pubDate"/></time> · <xsl:value-of select="dc:creator"/></li>
            </xsl:for-each>
            <xsl:for-each select="atom:feed/atom:entry">
              <li><a href="{atom:link/@href}"><xsl:value-of select="atom:title"/></a><br/>
                <time><xsl:value-of select="atom:published"/></time> · <xsl:value-of select="atom:author/atom:name"/></li>
            </xsl:for-each>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
