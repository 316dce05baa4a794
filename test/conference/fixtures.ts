/** RFC 4575 examples-style documents used by several tests. */

export const RFC4575_FULL = `<?xml version="1.0" encoding="UTF-8"?>
<conference-info
   xmlns="urn:ietf:params:xml:ns:conference-info"
   entity="sips:conf233@example.com"
   state="full" version="1">
   <!-- CONFERENCE INFO -->
   <conference-description>
    <subject>Agenda: This month's goals</subject>
    <service-uris>
     <entry>
      <uri>http://sharepoint/salesgroup/</uri>
      <purpose>web-page</purpose>
     </entry>
    </service-uris>
   </conference-description>
   <!-- CONFERENCE STATE -->
   <conference-state>
    <user-count>33</user-count>
   </conference-state>
   <!-- USERS -->
   <users>
    <!-- USER 1 -->
    <user entity="sip:bob@example.com" state="full">
     <display-text>Bob Hoskins</display-text>
     <!-- ENDPOINTS -->
     <endpoint entity="sip:bob@pc33.example.com">
      <display-text>Bob's Laptop</display-text>
      <status>disconnected</status>
      <disconnection-method>departed</disconnection-method>
      <disconnection-info>
       <when>2005-03-04T20:00:00Z</when>
       <reason>bad voice quality</reason>
       <by>sip:mike@example.com</by>
      </disconnection-info>
      <!-- MEDIA -->
      <media id="1">
       <display-text>main audio</display-text>
       <type>audio</type>
       <label>34567</label>
       <src-id>432424</src-id>
       <status>sendrecv</status>
      </media>
     </endpoint>
    </user>
    <!-- USER 2 -->
    <user entity="sip:alice@example.com" state="full">
     <display-text>Alice</display-text>
     <!-- ENDPOINTS -->
     <endpoint entity="sip:4kfk4j392jsu@example.com;grid=433kj4j3u">
      <status>connected</status>
      <joining-method>dialed-out</joining-method>
      <joining-info>
       <when>2005-03-04T20:00:00Z</when>
       <by>sip:mike@example.com</by>
      </joining-info>
      <!-- MEDIA -->
      <media id="1">
       <display-text>main audio</display-text>
       <type>audio</type>
       <label>34567</label>
       <src-id>534232</src-id>
       <status>sendrecv</status>
      </media>
     </endpoint>
    </user>
   </users>
  </conference-info>`

/** Partial update: Bob's laptop reconnects, version 2. */
export const RFC4575_PARTIAL = `<?xml version="1.0" encoding="UTF-8"?>
<conference-info xmlns="urn:ietf:params:xml:ns:conference-info"
   entity="sips:conf233@example.com" state="partial" version="2">
   <users state="partial">
    <user entity="sip:bob@example.com" state="partial">
     <endpoint entity="sip:bob@pc33.example.com" state="partial">
      <status>connected</status>
     </endpoint>
    </user>
   </users>
  </conference-info>`
