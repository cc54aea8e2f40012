# Video decoding (video.h), included from this directory's CMakeLists.txt. FFmpeg stays
# private to vigil_media like the image codecs: nothing above `media` sees an FFmpeg header.
pkg_check_modules(VIGIL_FFMPEG REQUIRED IMPORTED_TARGET libavformat libavcodec libswscale libavutil)
target_sources(vigil_media PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/video_decoder.cc
  ${CMAKE_CURRENT_LIST_DIR}/video_open.cc
  ${CMAKE_CURRENT_LIST_DIR}/video_ffmpeg.cc
  ${CMAKE_CURRENT_LIST_DIR}/thumbnail.cc)
target_link_libraries(vigil_media PRIVATE PkgConfig::VIGIL_FFMPEG)
